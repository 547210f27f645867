"""Data: toy sets, real image sets and the user's own files, as ``Dataset`` records."""

from .dataset import Dataset
from .registry import load, names
from .toy import TOY, blobs, moons, rings, spirals, xor

__all__ = ["TOY", "Dataset", "blobs", "load", "moons", "names", "rings", "spirals", "xor"]
