"""The durable job queue: procrastinate on PostgreSQL.

`kinds` names every kind of job with its typed payload, queue and retry policy; `queue` defers jobs
inside the caller's transaction and turns registered handlers into procrastinate tasks; `worker` runs
them (in `seiko serve` or any number of `seiko worker` processes) and recovers jobs whose worker died;
`repo` holds the SQL over the queue's tables and our `job_outcomes`. Handlers are plain async
functions that `app/` registers; this package imports nothing of ours but `db`."""
