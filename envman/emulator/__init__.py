"""The embedded AWS emulator (moto in server mode on 127.0.0.1) for local work."""
