"""Stage 2, planner: components, the cost model, the optimiser and the plan.

Pure: reads frozen config objects, never a file or a program. See docs/planner.md.
"""
