-- STOP JOB with an id that is not running: the error points at the statement and says how to list jobs.
SHOW JOBS;
STOP JOB 'job-7';
