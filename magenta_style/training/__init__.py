"""Training: the run's config, the training model, its input pipeline,
checkpoints, tf.distribute placement, and the ``train`` call that ties them.

    from magenta_style.training.loop import train
"""
