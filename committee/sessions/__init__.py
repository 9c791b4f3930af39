"""The committee's bodies (plenary, working groups), their representatives and sessions:
convocation with calendar invitations, replies and attendance, minutes and decisions."""
