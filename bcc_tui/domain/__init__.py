"""Pure rules of the routine: no I/O, no clock, no Textual."""
