"""Images and files: reading and writing images, folders of images, colour
preservation, atomic writes and the memory an image size needs."""
