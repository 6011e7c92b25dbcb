"""What each market hears and reads: translation of the script and the voices that speak it."""
