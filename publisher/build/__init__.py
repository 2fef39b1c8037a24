"""The build: inputs and fingerprints, one report's work, the incremental plan,
kept parts, corpus graphs, versions and publishing, VoID/DCAT, push."""
