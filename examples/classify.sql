-- Classify the example requests with ML_PREDICT and the bundled model, on the embedded Flink:
--   ./prefixflow sql -f examples/classify.sql
-- Results land in out/classified/ as JSON lines (committed when the job ends). Lines without a
-- "prompt" (the OpenAI batch lines) get an error value; lines that are not JSON are skipped.

CREATE TABLE requests (
  id STRING,
  prompt STRING
) WITH (
  'connector' = 'filesystem',
  'path' = 'examples/requests.jsonl',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

CREATE MODEL labeler
INPUT (prompt STRING, id STRING)
OUTPUT (text STRING, finish_reason STRING, completion_tokens INT, error STRING)
WITH (
  'provider' = 'prefixflow',
  'model' = 'models/kjv-5m-q80.gguf',
  'task' = 'completion',
  'max-tokens' = '3',
  'temperature' = '0'
);

CREATE TEMPORARY VIEW questions AS
SELECT id, CONCAT('Who speaks here, the king or the LORD? ', prompt, ' Answer: the') AS question
FROM requests;

CREATE TABLE classified (
  id STRING,
  label STRING,
  finish_reason STRING,
  completion_tokens INT,
  error STRING
) WITH (
  'connector' = 'filesystem',
  'path' = 'out/classified',
  'format' = 'json'
);

INSERT INTO classified
SELECT id, TRIM(text), finish_reason, completion_tokens, error
FROM ML_PREDICT(TABLE questions, MODEL labeler, DESCRIPTOR(question, id));
