"""Renderers: each turns the guide model into one kind of output."""
