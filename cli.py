"""Run `coop` from a checkout: `python cli.py ARGS` or `python -m cli ARGS`.

The command line lives in the package, `cooperation.cli`; an installed package runs it as
`coop` or `python -m cooperation`, and does not install this file.
"""

from cooperation.cli import main

if __name__ == "__main__":
    main()
