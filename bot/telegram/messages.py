"""The bot's fixed one-line messages; none of them contains user or corpus text.

Messages built from data (answers, lists, counts) are rendered in ``render``.
"""

NON_TEXT_HINT = "I can only read text: send me your question in words."
UNKNOWN_COMMAND = "I don't know that command. /help shows what I can do."
ASK_USAGE = "Put your question after the command: <code>/ask your question</code>"
MENTION_USAGE = "Ask me something after the mention, or see /help."
SOMETHING_WRONG = "Sorry, something went wrong on my side. Please try again in a moment."
EXPIRED_ANSWER = "I no longer have this answer; please ask the question again."
STALE_BUTTON = "This button no longer works."
FEEDBACK_THANKS = "Thanks for the feedback!"
YOU_ARE_WELCOME = "You're welcome! Ask me anything else about the articles, or see /help."
# "ok", "?", "🙂👍": nothing to search, so no answer and no feedback buttons (NU21-9).
SEND_A_QUESTION = "Send me a question about the articles in your own words, or see /help."
SEND_A_QUESTION_OR_EXAMPLE = "Send me a question about the articles, or tap an example below."
FEEDBACK_SAME = "Got it, your feedback was already noted."
RELOADING = "Rebuilding the index from the corpus…"
RELOAD_BUSY = "A reload is already running."
