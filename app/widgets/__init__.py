"""Widget embed tokens and the user reports they submit."""
