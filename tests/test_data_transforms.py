"""Shifts, augmentation, standardization, stratified subsets and splits."""

import numpy as np
import pytest

from nnlearn.data import Standardizer
from nnlearn.data.transforms import (
    Compose,
    GaussianNoise,
    RandomShift,
    _shift_stack,
    shift,
    subset,
    train_val_split,
)


@pytest.fixture
def stack():
    return np.random.default_rng(0).integers(1, 256, (5, 6, 7), dtype=np.uint8)


def _expected(image, dx, dy):
    """Pixel (r, c) of the result is pixel (r - dy, c - dx) of the image, else 0."""
    h, w = image.shape
    out = np.zeros_like(image)
    for r in range(h):
        for c in range(w):
            if 0 <= r - dy < h and 0 <= c - dx < w:
                out[r, c] = image[r - dy, c - dx]
    return out


@pytest.mark.filterwarnings("ignore:.*half the image or more")
@pytest.mark.parametrize("dx, dy", [(0, 0), (1, 0), (-1, 0), (0, 2), (2, -3), (-6, 5)])
def test_shift_moves_every_pixel_exactly(stack, dx, dy):
    out = shift(stack, dx, dy)
    assert out.dtype == stack.dtype and out.shape == stack.shape
    for image, moved in zip(stack, out):
        np.testing.assert_array_equal(moved, _expected(image, dx, dy))


def _reference(images, dx, dy, mode):
    """Per-pixel shift of each image by its own offset: explicit loops, no slicing or padding."""
    n, h, w = images.shape
    out = np.zeros_like(images)
    for i in range(n):
        for r in range(h):
            for c in range(w):
                sr, sc = r - dy[i], c - dx[i]
                if mode == "roll":
                    out[i, r, c] = images[i, sr % h, sc % w]
                elif 0 <= sr < h and 0 <= sc < w:
                    out[i, r, c] = images[i, sr, sc]
    return out


@pytest.mark.parametrize("mode", ["zero", "roll"])
@pytest.mark.parametrize("seed", range(12))
def test_shift_stack_matches_the_per_pixel_reference(mode, seed):
    """Random shapes (square or not), per-image and uniform offsets, past the frame included."""
    rng = np.random.default_rng(seed)
    n, h, w = int(rng.integers(1, 6)), int(rng.integers(1, 9)), int(rng.integers(1, 9))
    dtype = (np.uint8, np.float32, np.float64)[seed % 3]
    images = (rng.random((n, h, w)) * 200 + 1).astype(dtype)
    dx, dy = rng.integers(-2 * w - 1, 2 * w + 2, n), rng.integers(-2 * h - 1, 2 * h + 2, n)
    out = _shift_stack(images, dx, dy, mode)
    assert out.dtype == images.dtype and out.shape == images.shape
    np.testing.assert_array_equal(out, _reference(images, dx, dy, mode))
    one_x, one_y = int(dx[0]), int(dy[0])  # one offset for all: the slicing path
    np.testing.assert_array_equal(_shift_stack(images, one_x, one_y, mode),
                                  _reference(images, [one_x] * n, [one_y] * n, mode))
    if mode == "roll":  # the public function wraps any offset; in zero mode it refuses these
        np.testing.assert_array_equal(shift(images.reshape(n, h * w), dx, dy, mode=mode,
                                            image_shape=(h, w)).reshape(n, h, w), out)


@pytest.mark.parametrize("mode", ["zero", "roll"])
@pytest.mark.parametrize("max_shift, h, w", [(2, 28, 28), (1, 4, 9), (3, 7, 12)])
def test_random_shift_keeps_its_draws_and_images(mode, max_shift, h, w):
    """The same seed gives the same images as before: one draw of (2, m) offsets, then a
    per-pixel shift; the generator is left where that draw leaves it."""
    X = np.random.default_rng(5).random((40, h * w)).astype(np.float32)
    rng, ref_rng = np.random.default_rng(11), np.random.default_rng(11)
    out = RandomShift(max_shift, image_shape=(h, w), mode=mode)(X, rng)
    dx, dy = ref_rng.integers(-max_shift, max_shift + 1, size=(2, len(X)))
    expected = _reference(X.reshape(-1, h, w), dx, dy, mode).reshape(X.shape)
    np.testing.assert_array_equal(out, expected)
    assert rng.integers(1 << 30) == ref_rng.integers(1 << 30)


def test_shift_right_moves_ink_right_and_down_moves_it_down():
    image = np.zeros((1, 5, 5))
    image[0, 2, 2] = 1
    assert np.argwhere(shift(image, 1, 0)[0]).tolist() == [[2, 3]]
    assert np.argwhere(shift(image, 0, 1)[0]).tolist() == [[3, 2]]


@pytest.mark.filterwarnings("ignore:.*half the image or more")
def test_per_image_offsets_equal_one_shift_per_image(stack):
    dx, dy = np.array([0, 1, -2, 3, -6]), np.array([1, -1, 0, 2, 0])
    for mode in ("zero", "roll"):
        out = shift(stack, dx, dy, mode=mode)
        for i in range(len(stack)):
            np.testing.assert_array_equal(out[i], shift(stack[i:i + 1], dx[i], dy[i],
                                                         mode=mode)[0])


def test_roll_wraps_around(stack):
    np.testing.assert_array_equal(shift(stack, 2, -1, mode="roll"),
                                  np.roll(stack, (-1, 2), axis=(1, 2)))


def test_flat_images_with_image_shape(stack):
    flat = stack.reshape(5, 42)
    out = shift(flat, np.arange(5) - 2, 1, image_shape=(6, 7))
    assert out.shape == (5, 42)
    np.testing.assert_array_equal(out.reshape(5, 6, 7), shift(stack, np.arange(5) - 2, 1))


def test_shift_there_and_back_restores_the_image_where_no_ink_left():
    images = np.zeros((3, 6, 6), np.float32)
    images[:, 1:5, 1:5] = np.random.default_rng(1).random((3, 4, 4))  # a blank margin
    np.testing.assert_array_equal(shift(shift(images, 1, 0), -1, 0), images)
    np.testing.assert_array_equal(shift(shift(images, 0, -1), 0, 1), images)
    # ink pushed out of the frame is lost, and only that
    back = shift(shift(images, 2, 0), -2, 0)
    np.testing.assert_array_equal(back[:, :, :4], images[:, :, :4])
    assert not back[:, :, 4:].any()


def test_shift_does_not_modify_its_input(stack):
    copy = stack.copy()
    shift(stack, np.ones(5, int), 1)
    np.testing.assert_array_equal(stack, copy)


@pytest.mark.parametrize("kwargs, message", [
    (dict(images=np.zeros((2, 10)), dx=1, dy=0), "need image_shape"),
    (dict(images=np.zeros((2, 9)), dx=1, dy=0, image_shape=(2, 4)), "has 8 pixels"),
    (dict(images=np.zeros(9), dx=1, dy=0), "must be"),
    (dict(images=np.zeros((2, 3, 3)), dx=0.5, dy=0), "whole pixels"),
    (dict(images=np.zeros((2, 3, 3)), dx=np.zeros(3, int), dy=0), "one offset per image"),
    (dict(images=np.zeros((2, 3, 3)), dx=1, dy=0, mode="wrap"), "mode must be"),
])
def test_shift_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        shift(**kwargs)


def test_random_shift_is_reproducible_and_stays_in_range():
    X = np.zeros((200, 11 * 11), np.float32)
    X[:, 5 * 11 + 5] = 1  # one lit pixel at the centre of each image
    augment = RandomShift(max_shift=2, image_shape=(11, 11))
    a = augment(X, np.random.default_rng(7))
    np.testing.assert_array_equal(a, augment(X, np.random.default_rng(7)))
    assert not np.array_equal(a, augment(X, np.random.default_rng(8)))
    rows, cols = np.divmod(a.argmax(axis=1), 11)
    assert a.sum(axis=1).tolist() == [1] * 200  # nothing lost within the range
    assert set(rows - 5) == set(cols - 5) == {-2, -1, 0, 1, 2}
    assert X[:, 5 * 11 + 5].all()  # the input is untouched
    rng = np.random.default_rng(7)
    assert not np.array_equal(augment(X, rng), augment(X, rng))  # drawn afresh each call


def test_random_shift_on_image_stacks_and_errors():
    X = np.random.default_rng(0).random((4, 28, 28))
    out = RandomShift(1)(X, np.random.default_rng(0))
    assert out.shape == (4, 28, 28)
    with pytest.raises(ValueError, match="max_shift"):
        RandomShift(-1)
    assert "max_shift=2" in repr(RandomShift())


def test_gaussian_noise():
    X = np.full((100, 50), 0.5, np.float32)
    noisy = GaussianNoise(0.1)(X, np.random.default_rng(0))
    assert noisy.dtype == np.float32 and abs(np.std(noisy - X) - 0.1) < 0.005
    np.testing.assert_array_equal(noisy, GaussianNoise(0.1)(X, np.random.default_rng(0)))
    clipped = GaussianNoise(1.0, clip=(0, 1))(X, np.random.default_rng(0))
    assert clipped.min() == 0 and clipped.max() == 1
    with pytest.raises(ValueError, match="float32 or float64"):
        GaussianNoise(0.1)(np.zeros((2, 2), np.uint8), np.random.default_rng(0))
    with pytest.raises(ValueError, match="std must be >= 0"):
        GaussianNoise(-1)


def test_compose_draws_from_one_generator():
    X = np.random.default_rng(0).random((8, 16)).astype(np.float32)
    both = Compose([RandomShift(1, image_shape=(4, 4)), GaussianNoise(0.1)])
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)
    expected = GaussianNoise(0.1)(RandomShift(1, image_shape=(4, 4))(X, rng_b), rng_b)
    np.testing.assert_array_equal(both(X, rng_a), expected)


def test_standardizer():
    rng = np.random.default_rng(0)
    X = rng.normal(3, 2, (500, 4)).astype(np.float32)
    X[:, 2] = 7  # a constant pixel
    scaler = Standardizer()
    Z = scaler.fit_transform(X)
    assert Z.dtype == np.float32 and np.isfinite(Z).all()
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(Z.std(axis=0), [1, 1, 0, 1], atol=1e-5)
    assert scaler.scale_[2] == 1
    np.testing.assert_allclose(scaler.inverse_transform(Z), X, atol=1e-5)
    # learnt on the training data, applied unchanged to other data
    np.testing.assert_allclose(scaler.transform(X[:10] + 2)[:, 0], Z[:10, 0] + 2 / X[:, 0].std(),
                               rtol=1e-3)
    with pytest.raises(ValueError, match="not fitted"):
        Standardizer().transform(X)
    with pytest.raises(ValueError, match="fitted on 4 features"):
        scaler.transform(X[:, :3])


def test_subset_is_stratified_and_deterministic():
    y = np.repeat(np.arange(10), 50)
    X = np.arange(500)
    Xs, ys = subset(X, y, 100, seed=0)
    assert np.bincount(ys).tolist() == [10] * 10
    np.testing.assert_array_equal(y[Xs], ys)  # rows stay paired with their labels
    assert len(np.unique(Xs)) == 100
    np.testing.assert_array_equal(subset(X, y, 100, seed=0)[0], Xs)
    assert not np.array_equal(subset(X, y, 100, seed=1)[0], Xs)
    _, ys = subset(X, y, 23, seed=0)  # 23 = 2 * 10 + 3: three classes get one more
    assert np.bincount(ys).tolist() == [3, 3, 3, 2, 2, 2, 2, 2, 2, 2]


def test_subset_of_string_labels_and_errors():
    y = np.array(["b", "a", "b", "a", "c", "c", "c"])
    Xs, ys = subset(np.arange(7), y, 3, seed=0)
    assert sorted(ys) == ["a", "b", "c"]
    Xs, ys = subset(np.arange(7), y, 7)  # all of it
    assert Xs.tolist() == list(range(7)) and ys.tolist() == y.tolist()
    with pytest.raises(ValueError, match="3 classes needs n >= 3, got n=2"):
        subset(np.arange(7), y, 2)
    with pytest.raises(ValueError, match="X has 6 samples but y has 7"):
        subset(np.arange(6), y, 3)


def test_train_val_split_is_stratified_complete_and_seeded():
    y = np.repeat([0, 1, 2], [100, 50, 30])
    X = np.arange(180) * 10
    X_tr, X_val, y_tr, y_val = train_val_split(X, y, 0.2, seed=0)
    assert len(X_val) == 36 and np.bincount(y_val).tolist() == [20, 10, 6]
    assert sorted(np.concatenate([X_tr, X_val])) == sorted(X)
    np.testing.assert_array_equal(y[X_tr // 10], y_tr)
    np.testing.assert_array_equal(train_val_split(X, y, 0.2, seed=0)[1], X_val)
    assert not np.array_equal(train_val_split(X, y, 0.2, seed=1)[1], X_val)
    _, X_val, _, y_val = train_val_split(X, y, 17, seed=0)  # a count, rounded per class exactly
    assert len(X_val) == 17


@pytest.mark.parametrize("fraction", [0, 1.0, 1.5, -0.1, 180, True, 0.001])
def test_train_val_split_rejects_bad_fractions(fraction):
    with pytest.raises(ValueError):
        train_val_split(np.arange(180), np.repeat([0, 1], 90), fraction)


# -- issues 7 and 11: shifts that blank the image, flat square images, subsets of everything --

def test_shift_larger_than_the_image_is_refused(stack):
    for dx, dy in [(7, 0), (0, -6), (50, 50)]:  # stack is (5, 6, 7)
        with pytest.raises(ValueError, match=r"larger than the image .*6x7"):
            shift(stack, dx, dy)
    with pytest.raises(ValueError, match="larger than the image"):
        shift(stack, np.array([0, 1, 2, 3, 9]), 0)
    with pytest.warns(UserWarning, match="half the image or more"):
        out = shift(stack, 4, 0)  # 4 of 7 columns pushed out
    np.testing.assert_array_equal(out[0], _expected(stack[0], 4, 0))


def test_random_shift_of_half_the_image_or_more_is_refused():
    with pytest.raises(ValueError, match=r"max_shift=50 .* 28x28 images.*at most 13"):
        RandomShift(50, image_shape=(28, 28))
    with pytest.raises(ValueError, match=r"max_shift=14 .*at most 13"):
        RandomShift(14, image_shape=(28, 28))
    RandomShift(13, image_shape=(28, 28))
    with pytest.raises(ValueError, match=r"max_shift=4 .* 8x8 images.*at most 3"):
        RandomShift(4)(np.zeros((3, 8, 8)), np.random.default_rng(0))  # shape known at the call


def test_flat_square_images_need_no_image_shape():
    rng = np.random.default_rng(0)
    images = rng.random((4, 28, 28))
    flat = images.reshape(4, 784)
    np.testing.assert_array_equal(shift(flat, 2, -1), shift(images, 2, -1).reshape(4, 784))
    out = RandomShift(2)(flat, np.random.default_rng(3))
    np.testing.assert_array_equal(
        out, RandomShift(2, image_shape=(28, 28))(flat, np.random.default_rng(3)))
    assert RandomShift(1)(rng.random((2, 64)), rng).shape == (2, 64)  # digits: 8x8
    with pytest.raises(ValueError, match=r"50 values .* not a square.*image_shape"):
        shift(rng.random((2, 50)), 1, 0)


def test_image_shape_of():
    from nnlearn.data.transforms import image_shape_of
    assert image_shape_of(784) == (28, 28) and image_shape_of(64) == (8, 8)
    assert image_shape_of(50) is None and image_shape_of(2) is None
    assert image_shape_of(50, (5, 10)) == (5, 10)


def test_subset_of_everything_and_of_unbalanced_classes():
    y = np.repeat(np.arange(3), [50, 30, 5])  # like MNIST: no class has n / k samples
    X = np.arange(85)
    Xs, ys = subset(X, y, 85)
    np.testing.assert_array_equal(Xs, X)  # all of it, in order
    _, ys = subset(X, y, 84, seed=0)
    assert np.bincount(ys).tolist() == [49, 30, 5]  # classes 1 and 2 give all they have
    _, ys = subset(X, y, 60, seed=0)  # 20 each would ask class 2 for 20: it gives its 5
    assert np.bincount(ys).tolist() == [28, 27, 5]
    _, ys = subset(X, y, 30, seed=0)
    assert np.bincount(ys).tolist() == [13, 12, 5]
    _, ys = subset(X, y, 16, seed=0)
    assert np.bincount(ys).tolist() == [6, 5, 5]
    with pytest.raises(ValueError, match="n=86 .* only 85 samples"):
        subset(X, y, 86)


def test_subset_quotas_never_exceed_the_class_and_sum_to_n():
    from nnlearn.data.transforms import subset_quota
    rng = np.random.default_rng(0)
    for _ in range(200):
        counts = rng.integers(1, 30, rng.integers(1, 8))
        n = int(rng.integers(len(counts), counts.sum() + 1))
        quota = subset_quota(counts, n)
        assert quota.sum() == n and (quota <= counts).all() and (quota >= 1).all()
        # as equal as the counts allow: a class below the largest quota gives all it has
        assert ((quota >= quota.max() - 1) | (quota == counts)).all()


def test_standardize_learns_on_the_training_part_only():
    from nnlearn.data import Dataset, standardize
    rng = np.random.default_rng(0)
    X_train, X_test = rng.normal(5, 3, (100, 2)), rng.normal(50, 1, (20, 2))
    data = Dataset("d", X_train, np.zeros(100, int), X_test, np.zeros(20, int), np.arange(2))
    out, scaler = standardize(data)
    np.testing.assert_allclose(out.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.X_test, (X_test - X_train.mean(0)) / X_train.std(0), rtol=1e-12)
    assert data.X_train is X_train and out.info["standardize"] == scaler.to_dict()
    again = Standardizer.from_dict(scaler.to_dict())  # as predict rebuilds it from the metadata
    np.testing.assert_array_equal(again.transform(X_test), out.X_test)
    assert isinstance(scaler.to_dict()["mean"][0], float)
    with pytest.raises(ValueError, match="every scale > 0"):
        Standardizer.from_dict({"mean": [0.0], "scale": [0.0]})
