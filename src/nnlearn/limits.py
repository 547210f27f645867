"""Every size a file or a client can claim, capped: the caps, in one place, with their reasons.

A reader compares what it can know before it allocates (a file's length, a
header's shape, a description's layer sizes) with these caps and refuses,
with a message naming the cap, before a buffer is made. So a small crafted
file can never make nnlearn allocate gigabytes. ``SECURITY.md`` lists them
and says how to raise the ones a user may raise (``--max-params``).

This module imports nothing of nnlearn: every layer may read it.
"""

from __future__ import annotations

# -- CSV tables (data/csvcells.py) -------------------------------------------------------------

#: bytes of a CSV file. Its numbers take at most 4 times their text as float64
#: (a cell and its delimiter are at least 2 bytes, a float64 8), so 2 GiB of text
#: is at most 8 GiB of features: far past any table that fits a laptop's training.
MAX_TABLE_BYTES = 2 * 2**30
#: data rows of a CSV file (each costs a line number and a label besides its features).
MAX_TABLE_ROWS = 50_000_000
#: columns of a CSV file: a flattened 300 x 300 image has 90,000 pixels.
MAX_TABLE_COLUMNS = 100_000
#: characters of one cell: a number needs fewer than 30, a column's name fewer than this.
#: (Before this cap one long cell padded every cell to its length: 251 KB asked for 29 GiB.)
MAX_CELL_CHARS = 1000
#: characters of one class label (cell of the label column). The labels become one NumPy
#: string array, 4 bytes per character per row; a class's name is a word, not a paragraph.
MAX_LABEL_CHARS = 100

#: categories of one column of words, one-hot encoded (data/columns.py): each is one input
#: of every row, 8 bytes a row as float64, so a column of identifiers (a new word a row)
#: would make rows x rows inputs; a real category column has tens, not thousands.
MAX_CATEGORIES = 1000
#: values of a table once its words are one-hot encoded (rows x inputs, float64): 8 GiB,
#: what a CSV file's numbers may come to (see MAX_TABLE_BYTES). Under MAX_CATEGORIES each
#: column still adds up to 1,000 inputs a row: 20 such columns of 60,000 rows (a 6 MB
#: file) would ask for 9.6 GB.
MAX_ENCODED_VALUES = 2**30

#: points of a toy set drawn for ``--n-train`` or ``--n-test`` (or a model file's record of
#: them): 10 million points of 2 features are 160 MB; the lecture's sets have thousands.
MAX_TOY_POINTS = 10_000_000

# -- IDX files (data/idx.py) ----------------------------------------------------------------

#: uncompressed bytes of one IDX file (its array is as large): MNIST's largest is 47 MB,
#: EMNIST's 0.55 GB. A gzip stream is read no further than its header declares.
MAX_IDX_BYTES = 2**30
#: the most deflate expands (about 1032-fold): a larger claim of a compressed member or
#: stream is a lie (zip members in .npz files, gzipped IDX files).
MAX_DEFLATE_RATIO = 1032

# -- model files (training/modelio.py) ----------------------------------------------------

#: parameters (weights and biases) of a model file's network, counted from its
#: description before one array is made: 20 million float64 are 160 MB, ten times
#: the largest network of the lecture's experiments. A 2-16384-16384-2 network
#: (268 million, 2.1 GB) needs ``--max-params`` raised.
MAX_PARAMS = 20_000_000
#: declared bytes of a model file's JSON description (UTF-32 text in .npz: 4 MB of JSON).
MAX_HEADER_BYTES = 16 * 2**20
#: a ``.npy`` entry's own header (NumPy reads at most 10,000 characters of it).
NPY_HEADER_BYTES = 2**16

# -- the playground's server (playground/) ------------------------------------------------

#: bytes of one uploaded CSV file: two coordinates and a label for 20,000 points.
MAX_UPLOAD_BYTES = 1_000_000
#: rows of one uploaded CSV file (the page draws each point).
MAX_UPLOAD_ROWS = 20_000
#: bytes of one WebSocket message (an uploaded CSV file is the largest).
MAX_MESSAGE = 2_000_000
#: connections one client address may hold open at once (pages, downloads, the page's files).
MAX_CONNECTIONS_PER_CLIENT = 32
#: seconds a client may take to send a request's headers, or stay idle between requests.
HEADER_TIMEOUT_S = 10
#: seconds between two new samples a page may ask for: each draws the points again and
#: rebuilds the network (a flood of them took the server to 3.5 GB before).
MIN_SAMPLE_INTERVAL_S = 0.1
