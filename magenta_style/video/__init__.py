"""Video: clips read and written with their sound through FFmpeg (clips),
optical flow, warping and the warping error (motion), and frames rendered
one after the other with the previous output kept where the motion allows
(stabilizer)."""
