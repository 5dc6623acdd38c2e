"""Server-rendered pages: patients (book, manage), reception (diary), therapists (their day)."""
