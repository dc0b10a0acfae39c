"""Rendering photos: the render plan (what size, how many styles a pass)."""
