"""Haven benchmarks: `python -m bench` runs them all, `python -m bench NAME` runs one.

They print figures for people to compare over time; none of them passes or fails on a time.
"""
