"""Data: toy sets, real image sets and the user's own files, as ``Dataset`` records.

``load(name_or_path, seed=..., data_dir=...)`` is the one entry point; see
``docs/data.md`` for where MNIST and Fashion-MNIST are looked for, the decoded
cache and the checksums.
"""

from .dataset import Dataset
from .idx import read_idx, write_idx
from .images import as_images, checksums, load_digits, load_image_set, status
from .registry import load, names
from .catalogue import SOURCES
from .sources import cache_home, find, locate
from .tabular import load_table, read_csv, read_npz
from .toy import TOY, blobs, moons, rings, spirals, xor
from .scaling import Standardizer, standardize
from .transforms import Compose, GaussianNoise, RandomShift, image_shape_of, shift
from .sampling import subset, subset_quota, train_val_split

__all__ = [
    "SOURCES", "TOY", "Compose", "Dataset", "GaussianNoise", "RandomShift", "Standardizer",
    "as_images", "blobs", "cache_home", "checksums", "find", "image_shape_of", "load",
    "load_digits",
    "load_image_set", "load_table", "locate", "moons", "names", "read_csv", "read_idx",
    "read_npz", "rings", "shift", "spirals", "standardize", "status", "subset", "subset_quota",
    "train_val_split", "write_idx", "xor",
]
