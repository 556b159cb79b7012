"""Alert intake at the edge: each source's wire format parsed into `core.routing.Alert`."""
