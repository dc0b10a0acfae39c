"""Studies: what measures a model by training or rendering it many times
(staged training runs) and the figures that show the results."""
