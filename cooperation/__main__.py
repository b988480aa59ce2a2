"""`python -m cooperation ARGS`: the `coop` command, for when its script is not on the PATH."""

from cooperation.cli import main

if __name__ == "__main__":
    main()
