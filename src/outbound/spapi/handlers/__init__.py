"""One module per operation group: parse the inputs, call one service function, render the payload."""
