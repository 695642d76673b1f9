-- Chat with the bundled model through ML_PREDICT, on the embedded Flink:
--   ./prefixflow sql -f examples/chat.sql
-- The conversations of examples/chat.jsonl are read as a table (messages: ARRAY<ROW<role, content>>)
-- and rendered with examples/kjv-chat-template.jinja (kjv-5m has no chat template of its own). Answers
-- land in out/chat/ as JSON lines; chat-6 uses a role the template refuses and gets an error value.

CREATE TABLE conversations (
  id STRING,
  messages ARRAY<ROW<role STRING, content STRING>>,
  max_tokens INT,
  temperature DOUBLE
) WITH (
  'connector' = 'filesystem',
  'path' = 'examples/chat.jsonl',
  'format' = 'json'
);

CREATE MODEL kjv_chat
INPUT (messages ARRAY<ROW<role STRING, content STRING>>, id STRING, max_tokens INT, temperature DOUBLE)
OUTPUT (text STRING, finish_reason STRING, error STRING)
WITH (
  'provider' = 'prefixflow',
  'model' = 'models/kjv-5m-q80.gguf',
  'task' = 'chat',
  'chat-template' = 'examples/kjv-chat-template.jinja'
);

CREATE TABLE answers (
  id STRING,
  text STRING,
  finish_reason STRING,
  error STRING
) WITH (
  'connector' = 'filesystem',
  'path' = 'out/chat',
  'format' = 'json'
);

INSERT INTO answers
SELECT id, text, finish_reason, error
FROM ML_PREDICT(TABLE conversations, MODEL kjv_chat, DESCRIPTOR(messages, id, max_tokens, temperature));
