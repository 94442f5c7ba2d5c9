"""The output folder as a dataset: agency identity, checks across reports, the data
dictionary, and `load(OUTDIR)` for pandas. Submodules are imported on use."""
