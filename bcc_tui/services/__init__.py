"""Use cases: one public function = one transaction, shared by the command line and the dashboard."""
