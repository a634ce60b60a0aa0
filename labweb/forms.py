from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        required=True, help_text="Used for notifications and for the sign-off line of your contributions."
    )
    first_name = forms.CharField(label="Your name", max_length=150, required=False,
                                 help_text="Shown as the author of your contributions.")

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "email")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email address already exists. Try logging in.")
        return email
