"""Styles and their formats: editing a model's table of styles and the
portable ``.style.json`` file of one style."""
