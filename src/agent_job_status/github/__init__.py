"""The GitHub reading edge: one HTTP client and the source of job facts (`source.GitHubFacts`)."""
