"""``python -m nnlearn`` (and ``torchrun -m nnlearn``) runs the command line."""

from nnlearn.cli import main

if __name__ == "__main__":
    main()
