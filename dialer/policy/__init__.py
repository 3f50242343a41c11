"""Pure business rules: windows, working days, deadlines, retries, priority, answer classification.

Nothing here reads the clock, the disk, the network or the database: callers hand in `now`.
"""
