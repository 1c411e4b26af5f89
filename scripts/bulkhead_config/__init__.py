"""bulkhead build-time configuration: board/scenario XML -> C data (scripts/genconfig)
and the board inspector (scripts/board-inspector). Python 3 standard library only."""
