"""The monthly incident review and the drill scores, and their renderings."""
