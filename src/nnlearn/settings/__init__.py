"""One table of settings that every face reads (see ``table``), and what a setting accepts."""

from .table import (ARCHITECTURES, BACKENDS, DTYPES, ESTIMATOR, FULL, PLAYGROUND, SETTINGS,
                    TRAIN, Play, Setting, default, for_face, markdown_table)

__all__ = ["ARCHITECTURES", "BACKENDS", "DTYPES", "ESTIMATOR", "FULL", "PLAYGROUND", "SETTINGS",
           "TRAIN", "Play", "Setting", "default", "for_face", "markdown_table"]
