"""Workshop proposals: read from files (`records`), compared for look-alikes (`similarity`, with the
field's generic words and synonyms in `field_words`, and its measured quality in `quality`), and
imported, listed and merged into solution tracks through `desk` (`Registry.proposals()`)."""
