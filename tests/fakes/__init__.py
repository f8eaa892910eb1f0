"""Local stand-ins for the outside world's servers (Twilio, chat webhooks), served on loopback
so the official clients run unchanged against them."""
