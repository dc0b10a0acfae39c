"""Input data: content photographs for training and the style images.

Content comes from a local folder (searched recursively) or, for users with
network access, from a tensorflow-datasets name. Each training example is a
random square crop of random scale, resized to ``image_size`` and randomly
flipped, so that a small photo corpus still shows the network much variety.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Sequence

import numpy as np
import tensorflow as tf

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.images import open_image

# Decoded training photos keep at most this many training crops of size on
# their longer side, so a crop can cover anything from a detail to the scene.
_MAX_SIDE_IN_CROPS = 3


def list_images(directory: str) -> list[str]:
    """Image files (constants.IMAGE_EXTENSIONS) under ``directory``,
    recursively, sorted."""
    if not os.path.isdir(directory):
        raise MagentaStyleError(f"folder not found: {directory}")
    found = []
    for root, _, files in os.walk(directory):
        found += [os.path.join(root, f) for f in files
                  if f.lower().endswith(constants.IMAGE_EXTENSIONS)]
    return sorted(found)


def style_name(path: str) -> str:
    """A style's name: its file name without the extension."""
    return os.path.splitext(os.path.basename(path))[0]


def load_style_images(styles_dir: str, style_size: int,
                      names: Sequence[str] | None = None
                      ) -> tuple[list[str], list[np.ndarray], list[str]]:
    """Style names, images (longer side ``style_size``) and files, by name.

    ``names`` picks a subset; unknown names and unreadable images are errors.
    """
    paths = list_images(styles_dir)
    if not paths:
        raise MagentaStyleError(
            f"no style images ({constants.IMAGE_KINDS}) in {styles_dir}")
    by_name = {style_name(p): p for p in paths}
    if names:
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise MagentaStyleError(
                f"unknown style(s) {', '.join(unknown)} in {styles_dir}; "
                f"available: {', '.join(sorted(by_name))}")
        by_name = {n: by_name[n] for n in sorted(names)}
    chosen = sorted(by_name)
    images = [load_style_image(by_name[n], style_size) for n in chosen]
    return chosen, images, [by_name[n] for n in chosen]


def load_style_image(path: str, style_size: int) -> np.ndarray:
    """One style image with longer side ``style_size`` (unreadable or, at
    that size, too small: error)."""
    return with_longer_side(open_image(path, max_side=style_size), style_size)


def with_longer_side(image: np.ndarray, size: int) -> np.ndarray:
    """Enlarges an image whose longer side is below ``size`` (bicubic),
    float32 in [0, 1]; a larger one is returned as it is."""
    h, w = image.shape[:2]
    if max(h, w) >= size:
        return image
    scale = size / max(h, w)
    target = [max(1, round(h * scale)), max(1, round(w * scale))]
    resized = tf.image.resize(image, target, method="bicubic")
    return np.clip(resized.numpy(), 0.0, 1.0)


def readable_images(paths: Sequence[str], max_side: int
                    ) -> tuple[list[str], list[str]]:
    """Splits ``paths`` into (readable, unreadable) by decoding each once;
    images too small at ``max_side`` count as unreadable."""

    def readable(path):
        try:
            open_image(path, max_side=max_side)
            return True
        except MagentaStyleError:
            return False

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        flags = list(pool.map(readable, paths))
    good = [p for p, ok in zip(paths, flags) if ok]
    bad = [p for p, ok in zip(paths, flags) if not ok]
    return good, bad


def sample_images(directory: str, count: int, max_side: int = 1024
                  ) -> list[np.ndarray]:
    """Up to ``count`` readable images spread over a folder's sorted files.

    Raises MagentaStyleError if the folder has no readable image.
    """
    good, _ = readable_images(list_images(directory), max_side)
    if not good:
        raise MagentaStyleError(
            f"no readable image ({constants.IMAGE_KINDS}) in {directory}")
    step = max(1, len(good) // count)
    return [open_image(p, max_side=max_side) for p in good[::step][:count]]


def random_crop(image: tf.Tensor, image_size: int) -> tf.Tensor:
    """A random square crop of random scale, resized to image_size², flipped."""
    shape = tf.shape(image)
    shorter = tf.minimum(shape[0], shape[1])
    side = tf.random.uniform([], image_size, tf.maximum(shorter, image_size) + 1,
                             dtype=tf.int32)
    side = tf.minimum(side, shorter)
    crop = tf.image.random_crop(image, tf.stack([side, side, 3]))
    crop = tf.image.resize(crop, [image_size, image_size], antialias=True)
    crop = tf.image.random_flip_left_right(crop)
    crop.set_shape([image_size, image_size, 3])
    return tf.clip_by_value(crop, 0.0, 1.0)


def center_crop(image: tf.Tensor, image_size: int) -> tf.Tensor:
    """The largest central square, resized to image_size² (for validation)."""
    shape = tf.shape(image)
    side = tf.minimum(shape[0], shape[1])
    top = (shape[0] - side) // 2
    left = (shape[1] - side) // 2
    crop = image[top:top + side, left:left + side]
    crop = tf.image.resize(crop, [image_size, image_size], antialias=True)
    crop.set_shape([image_size, image_size, 3])
    return tf.clip_by_value(crop, 0.0, 1.0)


def _decoded_folder(paths: Sequence[str], image_size: int) -> tf.data.Dataset:
    """Decodes image files with Pillow inside tf.data, in parallel."""

    def decode(path):
        return open_image(path.decode(), max_side=_MAX_SIDE_IN_CROPS * image_size,
                          enlarge_to=image_size)

    def decode_op(path):
        image = tf.numpy_function(decode, [path], tf.float32, stateful=False)
        image.set_shape([None, None, 3])
        return image

    return (tf.data.Dataset.from_tensor_slices(list(paths))
            .map(decode_op, num_parallel_calls=tf.data.AUTOTUNE)
            .ignore_errors())


def folder_images(content_dir: str, image_size: int
                  ) -> tuple[tf.data.Dataset, int, list[str]]:
    """Readable images of a folder as a dataset, their count and the skipped.

    Raises MagentaStyleError when no image in the folder can be read.
    """
    paths = list_images(content_dir)
    good, bad = readable_images(paths, _MAX_SIDE_IN_CROPS * image_size)
    if not good:
        raise MagentaStyleError(
            f"no readable image ({constants.IMAGE_KINDS}) in {content_dir} "
            f"({len(bad)} unreadable)")
    return _decoded_folder(good, image_size), len(good), bad


def tfds_images(name: str, split: str = "train", data_dir: str | None = None
                ) -> tf.data.Dataset:
    """Images of a tensorflow-datasets dataset (e.g. "coco/2017"), in [0, 1]."""
    import tensorflow_datasets as tfds

    try:
        dataset = tfds.load(name, split=split, data_dir=data_dir,
                            shuffle_files=True)
    except Exception as error:  # tfds raises many types for offline/unknown
        raise MagentaStyleError(
            f"cannot load tensorflow-datasets '{name}' split '{split}': "
            f"{str(error).splitlines()[0]}") from None
    return dataset.map(
        lambda example: tf.image.convert_image_dtype(example["image"],
                                                     tf.float32),
        num_parallel_calls=tf.data.AUTOTUNE)


def training_batches(images: tf.data.Dataset, image_size: int, batch_size: int,
                     cache: bool = True, shuffle_buffer: int = 1000
                     ) -> tf.data.Dataset:
    """Endless batches [B, S, S, 3] of random crops, prefetched.

    ``cache`` keeps the decoded images in memory after the first pass.
    """
    if cache:
        images = images.cache()
    return (images.shuffle(shuffle_buffer).repeat()
            .map(lambda image: random_crop(image, image_size),
                 num_parallel_calls=tf.data.AUTOTUNE)
            .batch(batch_size, drop_remainder=True)
            .prefetch(tf.data.AUTOTUNE))


def validation_batches(images: tf.data.Dataset, image_size: int,
                       batch_size: int) -> tf.data.Dataset:
    """Center crops of held-out images, batched, in a fixed order."""
    return (images.map(lambda image: center_crop(image, image_size))
            .batch(batch_size).cache().prefetch(tf.data.AUTOTUNE))
