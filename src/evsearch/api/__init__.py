"""The faces: CLI, HTTP app, MCP server and web page, thin over search/indexer."""
