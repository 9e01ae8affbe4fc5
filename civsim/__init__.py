"""civsim: social-assistance simulation and reporting for district civil-affairs bureaus."""
