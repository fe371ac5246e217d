"""Run compiled rule sets over text: matching, overlap resolution, records."""
