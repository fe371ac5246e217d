"""Readers of input documents, writers of records, and what keeps a batch whole.

`readers` (files, folders, gzip, JSONL, stdin), `writers` (JSONL, CSV, table, HTML; atomic
files), `split` (long documents cut into pieces with exact offsets), `spill` (records of a
document in pieces, held until it is complete) and `resume` (carrying an earlier output over).
"""
