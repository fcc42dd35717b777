-- Step 1, the producer: every event of the ride file into the rides topic, one JSON message each.
INSERT INTO rides SELECT * FROM rides_file;
