-- Classify the example requests with structured outputs, on the embedded Flink:
--   ./prefixflow sql -f examples/classify-json.sql
-- 'response-format' constrains every answer to a JSON object with a "speaker" from a fixed list (token
-- masks before sampling), so JSON_VALUE reads the label back. max-tokens covers the longest answer the
-- schema admits (108 characters, with the whitespace JSON allows), so every answer ends by itself.
-- Results land in out/classified-json/.
-- Lines without a "prompt" (the OpenAI batch lines) get an error value; lines that are not JSON are skipped.

CREATE TABLE requests (
  id STRING,
  prompt STRING
) WITH (
  'connector' = 'filesystem',
  'path' = 'examples/requests.jsonl',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

CREATE MODEL speaker
INPUT (prompt STRING, id STRING)
OUTPUT (text STRING, finish_reason STRING, error STRING)
WITH (
  'provider' = 'prefixflow',
  'model' = 'models/kjv-5m-q80.gguf',
  'max-tokens' = '128',
  'temperature' = '0',
  'response-format' = '{"type": "json_schema", "json_schema": {"name": "speaker", "strict": true, "schema": {
    "type": "object",
    "properties": {"speaker": {"enum": ["the LORD", "the king", "the people", "a prophet"]}},
    "required": ["speaker"], "additionalProperties": false}}}'
);

CREATE TEMPORARY VIEW questions AS
SELECT id, CONCAT('Who speaks here? ', prompt) AS question
FROM requests;

CREATE TABLE classified (
  id STRING,
  speaker STRING,
  answer STRING,
  finish_reason STRING,
  error STRING
) WITH (
  'connector' = 'filesystem',
  'path' = 'out/classified-json',
  'format' = 'json'
);

INSERT INTO classified
SELECT id, JSON_VALUE(text, '$.speaker'), text, finish_reason, error
FROM ML_PREDICT(TABLE questions, MODEL speaker, DESCRIPTOR(question, id));
