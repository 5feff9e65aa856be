"""Capture devices: MOSIP's Secure Biometric Interface (SBI) — the protocol, a device simulator
that speaks it, and the server-side trust check of the signed captures stations forward."""
