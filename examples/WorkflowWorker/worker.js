// An external worker for a Reactor workflow step with `queue: NAME`, in Node.js.
// Protocol (docs/workflows.md): take a JSON task {workflow_id, step, task_id, payload, item}
// from the queue, reply {status: "ok", output} or {status: "error", error} to the message's
// reply_to queue with the same correlation_id, and only then ack the task. A crash before the
// ack leaves the task queued, so it is redelivered: the engine counts a task's result once.
'use strict';
const amqp = require('amqplib');

const url = process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672/';
const queue = process.env.QUEUE || 'word-shout';
// The engine declares worker queues as quorum queues unless told otherwise (WorkflowOptions.QueueType);
// a worker that declares the queue first must use the same type, or one of the two declarations fails.
const queueType = process.env.QUEUE_TYPE || 'quorum';

// The work itself: upper-cases the item's text (or the payload's), and counts its words.
function handle(task) {
  const source = (task.item && task.item.text) || (task.payload && task.payload.text) || '';
  if (source === 'fail') {
    throw new Error('asked to fail');
  }
  return { shouted: source.toUpperCase(), words: source.split(/\s+/).filter(Boolean).length };
}

async function main() {
  const connection = await amqp.connect(url);
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': queueType } });
  await channel.prefetch(8);
  console.log(`worker ready on ${queue}`);
  await channel.consume(queue, (message) => {
    let reply;
    try {
      const task = JSON.parse(message.content.toString('utf8'));
      reply = { status: 'ok', output: handle(task) };
    } catch (error) {
      // A task that fails is answered as failed; the engine decides (error transition or failure).
      reply = { status: 'error', error: String(error && error.message || error) };
    }
    const { replyTo, correlationId } = message.properties;
    channel.sendToQueue(replyTo, Buffer.from(JSON.stringify(reply)),
      { correlationId, persistent: true, contentType: 'application/json' },
      (error) => {
        // Ack only once the broker has the reply; if it could not take it, requeue the task.
        if (error) {
          channel.nack(message, false, true);
        } else {
          channel.ack(message);
        }
      });
  }, { noAck: false });
  const stop = async () => {
    await channel.close().catch(() => {});
    await connection.close().catch(() => {});
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
