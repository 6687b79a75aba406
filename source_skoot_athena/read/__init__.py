"""The `read` verb, in small parts. Nothing here imports airbyte_cdk, and nothing the query side imports loads
pyarrow: read_command.py submits the first query before either would be paid for (issue 17).

- catalog_read.py: the whole read (`CatalogRead`): streams in catalog order, the failure summary at the end
- scheduler.py:    `StreamRun` and its `Phase`, slices handed out in order and submitted up to a window ahead
- stream_output.py: one work item's messages (statuses, records, STATE) in protocol order
- slice_query.py:  a slice's query: UNLOAD to Parquet or the plain SELECT, the fallback, the read-path switch
- result_path.py:  pyarrow and the result readers, loaded on a thread once Athena has accepted the first query
- startup.py:      GetWorkGroup beside the first GetTable; what starts once Athena has accepted the first query
- result_source.py: which result reader fetches a finished query's rows (with the S3 HeadObject probe)
- messages.py:     protocol messages: stream statuses, estimates, error traces (no stack trace for user errors)
"""
