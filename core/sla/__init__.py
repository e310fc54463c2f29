"""Deadlines of cases (CMP-30..37, CMP-40) and work orders (SVC-07): one engine for every module.

A subject (a complaint, a work order) has milestones (reply, solution, resolve, stages), each with a
due time computed on the tenant calendar from a start event and a duration under the policy version
the subject started with; pauses stop the clock; a periodic sweep warns before, marks breaches at,
and escalates after each due time, as set-based queries.
"""
