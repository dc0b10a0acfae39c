"""Training examples: random crops of content photos, each with a style row.

Example i of an input pipeline is a pure function of (seed, pipeline, i):
its photo (a fresh permutation of the pipeline's photos every epoch), its
crop, its flip and its style. So the same seed gives the same examples, and
a run resumed at step k continues with exactly the examples an uninterrupted
run would have seen, at any replica count. Each input pipeline (one per
worker) reads its own share of the photos.

A tensorflow-datasets source streams instead: it is shuffled with the seed,
but a resumed run starts a new pass over it rather than continuing the old.
"""

from __future__ import annotations

import functools
import os
from typing import Sequence

import numpy as np
import tensorflow as tf

from magenta_style.constants import IMAGE_KINDS
from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.folders import decode_each, list_images
from magenta_style.imaging.images import open_image, to_uint8
from magenta_style.imaging.transforms import center_crop

# A decoded photo keeps at most this many training crop sides on its longer
# side, so a crop can cover anything from a detail to the whole scene.
MAX_SIDE_IN_CROPS = 3
# Photos in the shuffle buffer of a streamed (tensorflow-datasets) source.
STREAM_SHUFFLE_BUFFER = 1000


def decode_photo(path: str, image_size: int) -> np.ndarray:
    """A photo as uint8 [H, W, 3], sized for ``image_size`` crops."""
    return to_uint8(open_image(path, max_side=MAX_SIDE_IN_CROPS * image_size,
                               enlarge_to=image_size))


def random_crop(image: tf.Tensor, image_size: int, seed: tf.Tensor
                ) -> tf.Tensor:
    """A square crop of random scale, resized to image_size², maybe flipped.

    ``seed`` is a [2] stateless seed: the same seed gives the same crop.
    """
    side_seed, crop_seed, flip_seed = tf.unstack(
        tf.random.experimental.stateless_split(seed, 3))
    shape = tf.shape(image)
    shorter = tf.minimum(shape[0], shape[1])
    side = tf.random.stateless_uniform(
        [], side_seed, image_size, tf.maximum(shorter, image_size) + 1,
        dtype=tf.int32)
    side = tf.minimum(side, shorter)
    crop = tf.image.stateless_random_crop(image, tf.stack([side, side, 3]),
                                          crop_seed)
    crop = tf.image.resize(crop, [image_size, image_size], antialias=True)
    crop = tf.image.stateless_random_flip_left_right(crop, flip_seed)
    crop.set_shape([image_size, image_size, 3])
    return tf.clip_by_value(crop, 0.0, 1.0)


def _example_seed(seed: int, pipeline: int, index: tf.Tensor) -> tf.Tensor:
    """The [2] stateless seed of example ``index`` of a pipeline."""
    run = tf.constant(seed, tf.int64) * 1_000_003 + pipeline
    return tf.stack([run, tf.cast(index, tf.int64)])


def _with_style(image: tf.Tensor, seed: tf.Tensor,
                style_rows: Sequence[int]) -> tuple[tf.Tensor, tf.Tensor]:
    """Pairs an image with a uniformly drawn row of ``style_rows``."""
    draw = tf.random.stateless_uniform([], tf.reverse(seed, [0]), 0,
                                       len(style_rows), dtype=tf.int32)
    return image, tf.gather(tf.constant(list(style_rows), tf.int32), draw)


def photo_examples(photos: Sequence[np.ndarray | str], image_size: int,
                   style_rows: Sequence[int], seed: int, pipeline: int = 0,
                   first: int = 0) -> tf.data.Dataset:
    """Endless (crop [S, S, 3] float32, style row) examples from ``first`` on.

    ``photos`` are uint8 [H, W, 3] arrays (``decode_photo``) or paths of
    readable photos, decoded at each use.
    """
    count = len(photos)

    @functools.lru_cache(maxsize=2)
    def order(epoch: int) -> np.ndarray:
        return np.random.default_rng([seed, pipeline, epoch]).permutation(count)

    def photo(index):
        epoch, position = divmod(int(index), count)
        chosen = photos[order(epoch)[position]]
        return decode_photo(chosen, image_size) if isinstance(
            chosen, str) else chosen

    def example(index):
        image = tf.numpy_function(photo, [index], tf.uint8, stateful=False)
        image.set_shape([None, None, 3])
        image = tf.cast(image, tf.float32) / 255.0
        key = _example_seed(seed, pipeline, index)
        return _with_style(random_crop(image, image_size, key), key,
                           style_rows)

    return (tf.data.Dataset.range(first, np.iinfo(np.int64).max)
            .map(example, num_parallel_calls=tf.data.AUTOTUNE,
                 deterministic=True))


def stream_examples(images: tf.data.Dataset, image_size: int,
                    style_rows: Sequence[int], seed: int, pipeline: int = 0
                    ) -> tf.data.Dataset:
    """Endless examples from a stream of float images in [0, 1]."""
    stream = images.shuffle(STREAM_SHUFFLE_BUFFER, seed=seed).repeat()

    def example(index, image):
        key = _example_seed(seed, pipeline, index)
        return _with_style(random_crop(image, image_size, key), key,
                           style_rows)

    return stream.enumerate().map(example, num_parallel_calls=tf.data.AUTOTUNE)


def evaluation_examples(photos: Sequence[np.ndarray], image_size: int,
                        style_rows: Sequence[int]) -> tf.data.Dataset:
    """Centre crops of ``photos``, photo i in style row i mod len(rows)."""
    crops = np.stack([center_crop(np.asarray(p, np.float32) / 255.0,
                                  image_size) for p in photos])
    styles = np.resize(np.asarray(style_rows, np.int32), len(photos))
    return tf.data.Dataset.from_tensor_slices((crops, styles))


def tfds_images(name: str, split: str = "train", data_dir: str | None = None
                ) -> tf.data.Dataset:
    """Images of a tensorflow-datasets dataset (e.g. "coco/2017"), in [0, 1]."""
    import tensorflow_datasets as tfds  # slow to import; only this source

    try:
        dataset = tfds.load(name, split=split, data_dir=data_dir,
                            shuffle_files=False)
    except Exception as error:  # tfds raises many types for offline/unknown
        raise MagentaStyleError(
            f"cannot load tensorflow-datasets '{name}' split '{split}': "
            f"{str(error).splitlines()[0]}") from None
    return dataset.map(
        lambda example: tf.image.convert_image_dtype(example["image"],
                                                     tf.float32),
        num_parallel_calls=tf.data.AUTOTUNE)


class PhotoFolder:
    """Content photos of a folder (searched recursively), shared out among
    the input pipelines file by file."""

    def __init__(self, directory: str, keep_decoded: bool = True):
        self.directory = directory
        self.keep_decoded = keep_decoded
        self.paths = list_images(directory)
        if not self.paths:
            raise MagentaStyleError(f"no images ({IMAGE_KINDS}) in {directory}")

    def share(self, image_size: int, pipeline: int = 0, pipelines: int = 1
              ) -> tuple[list[np.ndarray | str], str]:
        """This pipeline's readable photos (arrays, or paths when not kept
        decoded: each is decoded once to check it, not kept) and a line that
        says which they are."""
        decode = functools.partial(decode_photo, image_size=image_size)
        photos, good, skipped = decode_each(
            self.paths[pipeline::pipelines],
            decode if self.keep_decoded else lambda p: decode(p) is not None)
        reasons = "; ".join(f"skipped {len(paths)} {reason} ({_names(paths)})"
                            for reason, paths in skipped.items())
        if not photos:
            raise MagentaStyleError(
                f"no readable image in {self.directory}"
                + (f" for input pipeline {pipeline + 1} of {pipelines}"
                   if pipelines > 1 else "") + f" ({reasons})")
        line = f"content: {len(photos)} images in {self.directory}"
        if pipelines > 1:
            line += (f" (input pipeline {pipeline + 1} of {pipelines}: "
                     f"{_names(good)})")
        if reasons:
            line += "; " + reasons
        return (photos if self.keep_decoded else good), line

    def examples(self, image_size: int, style_rows: Sequence[int], seed: int,
                 pipeline: int = 0, pipelines: int = 1, first: int = 0
                 ) -> tuple[tf.data.Dataset, str]:
        """Endless examples of this pipeline's share (``photo_examples``)."""
        photos, line = self.share(image_size, pipeline, pipelines)
        return photo_examples(photos, image_size, style_rows, seed, pipeline,
                              first), line


class TfdsSource:
    """Content images streamed from tensorflow-datasets, sharded by example."""

    def __init__(self, name: str, split: str = "train",
                 data_dir: str | None = None):
        self.name, self.split, self.data_dir = name, split, data_dir

    def examples(self, image_size: int, style_rows: Sequence[int], seed: int,
                 pipeline: int = 0, pipelines: int = 1, first: int = 0
                 ) -> tuple[tf.data.Dataset, str]:
        """Endless examples of every ``pipelines``-th image; ``first`` is
        ignored: a resumed run starts a new pass."""
        del first
        images = tfds_images(self.name, self.split, self.data_dir)
        return (stream_examples(images.shard(pipelines, pipeline), image_size,
                                style_rows, seed, pipeline),
                f"content: tensorflow-datasets {self.name} ({self.split})")


def _names(paths: Sequence[str], shown: int = 5) -> str:
    """A few file names of ``paths``, for a log line."""
    names = ", ".join(os.path.basename(p) for p in paths[:shown])
    return names + (", ..." if len(paths) > shown else "")
