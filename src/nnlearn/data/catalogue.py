"""The published image data sets nnlearn knows: their files, checksums, mirrors, classes.

``SOURCES`` names each one; ``sources`` finds or downloads their files and
``images`` reads and verifies them against these checksums.
"""

from __future__ import annotations

from dataclasses import dataclass

#: the roles of a data set's four files, in the order they are listed to a person
ROLES = ("train_images", "train_labels", "test_images", "test_labels")


@dataclass(frozen=True)
class FileSpec:
    """One published file: its name without ``.gz`` and its uncompressed MD5 and size."""

    name: str
    md5: str
    size: int

    @property
    def gz_name(self) -> str:
        return f"{self.name}.gz"


@dataclass(frozen=True)
class Source:
    """A published image data set: its files, where to download them, its classes.

    ``files`` maps each role in ``ROLES`` to a ``FileSpec``. ``mirrors`` are
    base URLs tried in order; the file URL is ``mirror + spec.gz_name``.
    ``classes`` are the names of the labels ``0 .. k-1``.
    """

    name: str
    title: str
    files: dict[str, FileSpec]
    mirrors: tuple[str, ...]
    classes: tuple
    image_shape: tuple[int, int] = (28, 28)
    homepage: str = ""

    def file_names(self) -> list[str]:
        return [self.files[role].gz_name for role in ROLES]


def _mnist_style_files(md5: dict[str, str], n_train=60000, n_test=10000, side=28):
    names = {"train_images": "train-images-idx3-ubyte", "train_labels": "train-labels-idx1-ubyte",
             "test_images": "t10k-images-idx3-ubyte", "test_labels": "t10k-labels-idx1-ubyte"}
    # sizes: 16-byte header + n*28*28 pixels; 8-byte header + n labels
    sizes = {"train_images": 16 + n_train * side * side, "train_labels": 8 + n_train,
             "test_images": 16 + n_test * side * side, "test_labels": 8 + n_test}
    return {role: FileSpec(names[role], md5[role], sizes[role]) for role in ROLES}


#: The data sets nnlearn can find or download, by name.
SOURCES: dict[str, Source] = {
    "mnist": Source(
        name="mnist",
        title="MNIST handwritten digits (LeCun, Cortes, Burges)",
        # the published MD5s of the uncompressed files
        files=_mnist_style_files({
            "train_images": "6bbc9ace898e44ae57da46a324031adb",
            "train_labels": "a25bea736e30d166cdddb491f175f624",
            "test_images": "2646ac647ad5339dbf082846283269ea",
            "test_labels": "27ae3e4e09519cfbb04c329615203637",
        }),
        mirrors=("https://ossci-datasets.s3.amazonaws.com/mnist/",
                 "https://storage.googleapis.com/cvdf-datasets/mnist/"),
        classes=tuple(range(10)),
        homepage="http://yann.lecun.com/exdb/mnist/",
    ),
    "fashion-mnist": Source(
        name="fashion-mnist",
        title="Fashion-MNIST clothing images (Zalando Research)",
        # Zalando publishes the MD5s of its .gz files; Debian re-compressed them,
        # so those do not match the packaged files. These are the MD5s of the
        # uncompressed content, computed from /usr/share/datasets/fashion-mnist/
        # (dataset-fashion-mnist); they hold for any faithful copy, gzipped or not.
        files=_mnist_style_files({
            "train_images": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
            "train_labels": "9018921c3c673c538a1fc5bad174d6f9",
            "test_images": "8181f5470baa50b63fa0f6fddb340f0a",
            "test_labels": "15d484375f8d13e6eb1aabb0c3f46965",
        }),
        mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
                 "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"),
        classes=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
        homepage="https://github.com/zalandoresearch/fashion-mnist",
    ),
}
